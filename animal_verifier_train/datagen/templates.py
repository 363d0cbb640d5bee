"""Sentence templates and fillers for the generated NER corpus (data, not logic).

A template is a sentence about a photo with slots. Animal slots become an ANIMAL entity each:

    {a}    singular with an indefinite article and maybe adjectives   "a fluffy white kitten"
    {the}  singular with a definite or possessive determiner          "my old dog"
    {n}    singular noun, maybe one adjective, no determiner           "no {n}" -> "no cow"
    {pl}   plural with a count or a collective                        "two puppies", "a herd of cows"
    {npl}  bare plural, maybe one adjective                           "any {npl}" -> "any geese"

A digit after the slot ({a2}, {npl3}) means a different animal from the unnumbered one. Other
``{fillers}`` are plain words from :data:`FILLERS`. Templates are written in sentence case without
final punctuation; the renderer adds case, punctuation, emoji and typos. A leading ``~`` marks a
template whose words only make sense for a living thing ("{a} is sleeping"): the others are also
filled with non-animal things ("There's a bicycle in the picture") to teach that the frame alone
does not make an ANIMAL.

A leading ``=`` marks a dictionary-style fragment ("the dog slept all day"), kept lower case
and without final punctuation, as in WordNet's examples. ``{byline}`` puts an attribution
("-- Mark Twain") after the final punctuation; ``{person_name}`` and ``{place_name}`` come from
WordNet's instances (see :mod:`.proper_names`). A final ``?`` marks a question outside the
"question" kind. Ids are ``kind.NN``; the test split
holds out whole templates by id, so keep a template's id stable when editing (append new ones at
the end of their list).
"""

from __future__ import annotations

# ---- templates with animals -------------------------------------------------------------------
ANIMAL_TEMPLATES: dict[str, list[str]] = {
    # plain claims that an animal is in the photo
    "claim": [
        "There is {a} {in_photo}",
        "There's {a} {place}",
        "There are {pl} {place}",
        "I see {a} {in_photo}",
        "I can see {pl} {in_photo}",
        "This is {a}",
        "That's {a}",
        "It's {a}",
        "Here's {a} I spotted {place}",
        "~My {n} {act} {place}",
        "~{pl} {act} {place}",
        "~{a} {act} {place}",
        "A {photo} of {a}",
        "{photo_cap} of {pl} {place}",
        "~Just {a} {act}",
        "{a}",
        "{pl}",
        "Just saw {a} {place}",
        "Check out this {n}",
        "We found {a} {place} today",
        "Spotted {a} on my walk",
        "The {photo} shows {a} {place}",
        "Definitely {a}",
        "Nothing but {npl} {place}",
        "So many {npl}",
        "Only {a}, nothing else",
        "This is my {n}",
        "~Meet {petname}, our new {n}",
        "~This is {petname}, my {n}",
        "~Say hi to {petname} the {n}",
        "Look at {the} {place}",
        "~{the} {act} {place}",
        "In this {photo} you can see {a} {place}",
        "What you see in this {photo} is {a}",
        "The {photo} clearly shows {pl}",
        "You can see {a} {place}",
        "Wow, {a}",
        "{wow} {a} {place}",
        "Yes, that is {a}",
        "Oh look, {pl}",
        "That one's {a} for sure",
        "Right there {place} is {a}",
        "What a cute {n}",
        "Got a great shot of {a} today",
        "Clearly {a}, you can tell by the ears",
        "There were {pl} {place} when I took this",
        "A close-up of {the}",
        "The subject of this {photo} is {a}",
    ],
    # hedged claims
    "hedge": [
        "I think that's {a}",
        "I think there's {a} {place}",
        "Looks like {a} to me",
        "Pretty sure that's {a}",
        "Probably {a}, but the {photo} is blurry",
        "It might be {a}",
        "Maybe {a}? Hard to tell",
        "I'm not 100% sure but I think I see {pl} {place}",
        "I guess it's {a}",
        "Seems like {a} {place}",
        "I believe those are {npl}",
        "That must be {a}",
        "Kind of looks like {a}",
        "If I'm not mistaken, that's {a}",
        "Hard to say, but it looks like {pl}",
        "My guess is {a}",
        "I'd say {a}",
        "Apparently there's {a} {place}",
        "Possibly {a}",
        "I'm fairly certain those are {npl}",
        "It could be {a}, the lighting isn't great",
        "I'm not sure, maybe {a}",
        "At first I thought it was a rock, but it's {a}",
        "Could be {a}",
        "From far away it looks like {a}",
        "Not a great {photo}, but I think you can see {a} {place}",
        "I suppose those are {npl}",
        "I reckon that's {a}",
        "Almost certainly {a}",
    ],
    # questions
    "question": [
        "Is that {a}",
        "Is there {a} {in_photo}",
        "Are those {npl}",
        "Do you see {a} {in_photo}",
        "What kind of {n} is this",
        "Can you spot the {n}",
        "How many {npl} are there",
        "Wait, is that {a} {place}",
        "~Anyone know what breed this {n} is",
        "Is that really {a}",
        "Are there any {npl} {in_photo}",
        "Does this look like {a} to you",
        "Which one is the {n}",
        "~Is the {n} {act}",
        "Could that be {a}",
        "Is it {a}",
        "Is this a real {n}",
        "Where is the {n} in this {photo}",
        "Did you see the {npl} {place}",
        "Why is there {a} {place}",
        "Have you ever seen {a} this close",
        "Is this {a} or something else",
        "So is that {a} or not",
        "Can you tell if it's {a}",
        "Whose {n} is this",
        "Are these {npl} wild",
        "~What is the {n} doing",
    ],
    # every animal mention is negated
    "negation": [
        "There is no {n} {in_photo}",
        "There are no {npl} {in_photo}",
        "I don't see any {npl}",
        "I don't see {a} anywhere",
        "No {npl} here",
        "That's not {a}",
        "This isn't {a}",
        "Those aren't {npl}",
        "There isn't {a} {in_photo}",
        "There aren't any {npl} {place}",
        "It's definitely not {a}",
        "Not {a}",
        "There's neither {a} nor {a2} {in_photo}",
        "Neither the {n} nor the {n2} is visible",
        "A {photo} of the garden without any {npl}",
        "I've never seen {a} {place}",
        "No {n} in sight",
        "Zero {npl} in this {photo}",
        "Nope, no {npl}",
        "None of these are {npl}",
        "There is not a single {n} here",
        "The {photo} doesn't show {a}",
        "You won't find any {npl} {in_photo}",
        "This {photo} has no {npl} in it",
        "Without {a}, this is just an empty field",
        "It is not {a}",
        "They are not {npl}",
        "I can't see {a} {in_photo}",
        "There was no {n} {place} when I took this",
        "Definitely no {npl} {place}",
        "Sadly, no {n} showed up",
        "That is not a real {n}",
        "Neither {pl} nor {a2}",
        "I didn't spot a single {n}",
        "No sign of {a} {place}",
        "This is not a picture of {a}",
    ],
    # a negated mention next to a present one
    "contrast": [
        "It's not {a}, it's {a2}",
        "That's not {a}, that's {a2}",
        "Not {a} but {a2}",
        "Those aren't {npl}, they're {npl2}",
        "It isn't {a}; it's actually {a2}",
        "No, it's {a2}, not {a}",
        "This is {a}, not {a2}",
        "There's {a} but no {n2}",
        "I see {pl} but not {a2}",
        "{pl}, but no {npl2}",
        "People think it's {a}, but it's really {a2}",
        "That isn't {a} at all, it's {a2}",
        "Not {pl}, just {a2}",
        "I expected {npl}, but there's only {a2}",
        "No {npl} today, only {pl2}",
        "It looks like {a} but it's {a2}",
        "We saw {a2} instead of {a}",
        "The {n} is there, the {n2} isn't",
        "There are {pl} and no {npl2} {in_photo}",
        "Wrong, that's {a2} and not {a}",
    ],
    # several animals, all present
    "multi": [
        "{a} and {a2} {place}",
        "{pl} and {a2}",
        "I see {a}, {a2} and {a3}",
        "~There's {a} chasing {a2}",
        "~{a} sitting next to {a2}",
        "~{the} is looking at {the2}",
        "{pl} with {a2} in the middle",
        "Is that {a} or {a2}?",
        "{pl}, {pl2}, and {pl3} {place}",
        "{a} on the left and {a2} on the right",
        "Both {a} and {a2} are {in_photo}",
        "~{a} riding on {a2}'s back",
        "I count {pl} and {pl2}",
        "Look, {a} and {pl2}",
        "There are {pl} and {pl2} {place}",
        "The {photo} shows {a}, {a2}, and {pl3}",
        "~My {n} and my {n2} are best friends",
        "~{the} and {the2} {act} together",
        "Either {a} or {a2}, I can't decide",
        "Some {npl}, some {npl2}, and {a3}",
        "~{a} playing with {a2} {place}",
        "We saw {pl}, {a2}, and even {a3} at the zoo",
        "~{a} sleeping beside {a2}",
        "Mostly {npl}, plus {a2} {place}",
    ],
    # longer, chattier sentences
    "casual": [
        "My sister took this {photo} of {a} at the farm last summer",
        "We were hiking when {a} crossed the trail right in front of us",
        "Grandpa's farm has {pl}, and this is one of them",
        "Took this at the zoo: {a} {place}",
        "Not the best {photo}, but you can see {a} {place}",
        "lol this {n} thinks it's a person",
        "omg look at {the}",
        "The lighting is bad but that's {a}",
        "Caption: {a} {place}",
        "Best {photo} I took all year, {a} {place}",
        "{person} sent me this {photo} of {pl} {place}",
        "On our trip we saw {pl} {place}",
        "This morning {a} showed up {place}",
        "~I woke up to {a} {act} {place}",
        "Can't believe {a} just walked into my garden",
        "~Our neighbour's {n} {act} {place} again",
        "Found this old {photo} of {the} from when I was little",
        "Posting this because {the} looked so happy",
        "I've always wanted to see {a} in real life, and here it is",
        "Thanks to {person} for this amazing shot of {a}",
        "After three hours of waiting we finally saw {a}",
        "First time I've seen {pl} {place}",
        "Honestly the best part of the day was {a} {place}",
        "{person} swears that's {a}",
        "Uploading {pl} from the weekend",
        "Finally got {a} to sit still for a {photo}",
    ],
    # an animal next to a look-alike use of an animal word (only the animal is an entity)
    "mixed": [
        "~My {n} is chewing on a teddy bear",
        "{a} next to a parked Jaguar",
        "~{the} is playing with a rubber duck",
        "I was eating a hot dog when {a} walked by",
        "~{a} sleeping on my computer mouse",
        "A Chicago Bears fan holding {a}",
        "{a} in front of the Apple store",
        "~{the} stole my hot dog",
        "A rocking horse and a real {n}",
        "My kids love feeding the {npl} at the farm",
        "A Ford Mustang parked near {pl}",
        "~{the} knocked over my can of Red Bull",
        "I fixed a bug in my code while {a} {act} on my desk",
        "This is a photo from Turkey with {a} {place}",
        "A tower crane and {pl} in the field",
        "{a} sitting on a Puma shoebox",
        "The kids in this {photo} are holding {a}",
        "Forget the bear market, look at this {n}",
        "A stuffed animal and {a} on the bed",
        "My son in a Spider-Man costume with {a}",
        "A Mickey Mouse balloon and {a} at the fair",
        "~{a} next to a lion statue",
        "Python code on the screen and {a} on the keyboard",
        # animal words as verbs, idioms and modifiers next to a real animal (only the animal counts)
        "~{the} wolfed down its dinner in seconds",
        "~{the} ducked under the fence and ran off",
        "~I had to badger my parents for weeks before they let us keep {a}",
        "~{the} farrowed in the barn last night",
        "~{the} calved early this spring",
        "~My brother chickened out of touching {the}",
        "~We bought a bag of cat food for {the}",
        "~{the} knocked over the bird feeder again",
        "~{person_name} photographed {a} near {place_name}",
        "~Bear with me, {the} won't sit still",
        "~I craned my neck to see {the} {place}",
        "~{the} hogged the whole sofa all evening",
        "~Holy cow, look at the size of {the}",
        "~{the} ferreted out the treats I had hidden",
        "~{the} gives me goosebumps",
        "~My uncle, a real night owl, spotted {a} at midnight",
        "~{the} is the underdog in this race",
        "~The kids were horsing around while {the} slept",
        "~After the dog show we saw {a} {place}",
        "~I fished for my keys while {the} watched",
        "~{person_name} kept {pl} at his house in {place_name}",
        "~Stop monkeying around and help me catch {the}",
        "~A paper tiger of a rule: nobody stops {npl} from coming in",
        "~{the} chased a unicorn balloon across the yard",
        "~Time flies, {the} is already two years old",
    ],
    # longer real-text shapes: dictionary-style fragments (a leading "=" keeps them lower case,
    # without final punctuation), stories, sayings with an attribution
    "saying": [
        "=~{the} slept in the sun all afternoon",
        "=~{pl} grazed on the hillside",
        "=~she fed {the} every morning",
        "=~he was bitten by {a}",
        "=~{a} crossed the road in front of us",
        "=~the farmer keeps {pl}",
        "=~{npl} are common in this region",
        "=~the children watched {the} for hours",
        "=~the sound of {npl} in the distance",
        "=~{the} ran off into the woods",
        "=~he raised {npl} on his farm",
        "=~{npl} and {npl2} lived side by side",
        "=~the zoo acquired {a} last year",
        "=~she was afraid of {npl}",
        "=~{the} was caught in the net",
        "~When I was a child my grandfather kept {pl} behind the house, and I fed them before school",
        "~According to {person_name}, {npl} are smarter than most people think",
        "~In {place_name} we saw {pl} by the side of the road",
        "~{a} wandered into the camp during the night and ate all our bread",
        "~The old man sat on the porch with {the} at his feet",
        "~If you leave the gate open, {the} will get out",
        "~Nobody knew where {the} had come from, but it stayed with us for years",
        "~{person_name} once wrote that {npl} are the best company{byline}",
        "~Every summer {pl} nest in the old barn",
        "~Never trust {a} that won't eat{byline}",
        "~A house without {a} is not a home{byline}",
        "~{npl} have owners; {npl2} have staff{byline}",
        "~The more I learn about people, the more I like my {n}{byline}",
        "~There is no such thing as a bad {n}{byline}",
        "~I have lived with several Zen masters, all of them {npl}{byline}",
        "~As {person_name} used to say, {a} in the house keeps the doctor away",
        "~The {photo} that {person_name} sent from {place_name} shows {a} asleep on the step",
        "~Years ago, on a farm outside {place_name}, I watched {a} give birth at dawn",
        "~It is said that {npl} can sense a storm long before it arrives{byline}",
    ],
}

# ---- templates without animals ----------------------------------------------------------------
#: Other senses of animal words (cars, teams, food, toys, idioms, verbs). Never an entity.
LOOKALIKE_TEMPLATES: list[str] = [
    "My dad just bought a {color} Jaguar",
    "A {color} Jaguar XF parked {street}",
    "Check out this vintage Jaguar E-Type",
    "I ate two hot dogs at the game",
    "{person} is grilling hot dogs {time}",
    "A hot dog with mustard and onions",
    "Corn dogs at the county fair",
    "The bull market is finally over",
    "Analysts are worried about a bear market",
    "The Chicago Bears won again {time}",
    "A photo of the stadium before the Chicago Bears game",
    "The Chicago Bulls are playing tonight",
    "Miami Dolphins fans outside the stadium",
    "{person} is wearing a Detroit Lions jersey",
    "The Philadelphia Eagles parade downtown",
    "My computer mouse stopped working",
    "A wireless mouse and a keyboard on the desk",
    "The crane operator lifted the steel beam",
    "A construction crane over the city skyline",
    "Three tower cranes on the skyline",
    "A teddy bear on the bed",
    "My daughter's favourite teddy bear",
    "A bowl of gummy bears",
    "A yellow rubber duck in the bathtub",
    "Rubber ducks floating in the pool",
    "A {color} Ford Mustang convertible",
    "The Mustang convertible is parked {street}",
    "A Dodge Ram pickup in the driveway",
    "An old VW Beetle {street}",
    "My Python code keeps crashing",
    "A screenshot of a Python script",
    "A can of Red Bull on the desk",
    "There's a bug in the software",
    "We finally fixed the login bug",
    "A photo from our trip to Turkey",
    "Istanbul, Turkey at sunset",
    "Roast turkey for Thanksgiving dinner",
    "A turkey sandwich and a coffee",
    "New Puma sneakers",
    "A kid's bike leaning against the fence",
    "The kids are playing football {place_plain}",
    "An Apple laptop on the kitchen table",
    "A Navy SEAL at the ceremony",
    "A wax seal on the envelope",
    "A baseball bat leaning against the wall",
    "He plays bass guitar in a band",
    "The bass player on stage",
    "We watched a cricket match {time}",
    "Flying a kite on the beach",
    "Fried chicken and fries",
    "A bucket of chicken nuggets",
    "Chicken soup with noodles",
    "Fish and chips by the sea",
    "Lamb chops with rosemary",
    "Crab cakes at the restaurant",
    "A lobster roll for lunch",
    "It's raining cats and dogs",
    "Let's talk about the elephant in the room",
    "A white elephant gift exchange",
    "She was the dark horse of the election",
    "He gave up coffee cold turkey",
    "Sorry I can't come, I'm a total night owl",
    "My brother is such a social butterfly",
    "Don't be such a chicken",
    "He's a real party animal",
    "Bear with me, the {photo} is loading",
    "Time flies when you're having fun",
    "Duck your head when you go through the door",
    "Stop bugging me",
    "He wolfed down his dinner",
    "Stop horsing around",
    "A bird's eye view of the city",
    "Crow's feet around her eyes",
    "A loan shark knocked on his door",
    "Mickey Mouse at Disneyland",
    "My son dressed as Spider-Man",
    "A Peppa Pig birthday cake",
    "A Hello Kitty backpack",
    "Watching The Lion King {time}",
    "Tickets for the Eagles concert",
    "An Arctic Monkeys poster on the wall",
    "A Greyhound bus at the station",
    "Dinner at Panda Express",
    "Firefox crashed again",
    "A copycat version of my design",
    "A monkey wrench in the toolbox",
    "A bulldozer at the construction site",
    "A Caterpillar excavator digging a hole",
    "She wears her hair in pigtails",
    "A ponytail and sunglasses",
    "A rocking horse in the nursery",
    "A piggy bank full of coins",
    "A Corvette Stingray at the car show",
    "The early bird special at the diner",
    "I was the guinea pig for the new recipe",
    "A Trojan horse hid in the email attachment",
    "The rat race is exhausting",
    "Fox News is on in the background",
    "A Penguin paperback on the nightstand",
    "A bronze lion statue in front of the library",
]

#: Animal words that name no animal: verbs, idioms, modifiers of other nouns, words said of
#: people, mythical creatures. Never an entity (the annotation rule: a span refers to an animal,
#: not to food, products, people, or a modifier of another noun).
IDIOM_TEMPLATES: list[str] = [
    # verbs
    "He wolfed down his breakfast and ran out the door",
    "{person_name} wolfed down the sandwich in two bites",
    "She finally managed to ferret out the truth",
    "The reporters kept badgering the minister about the budget",
    "Stop badgering me about it",
    "He was hounded by creditors for years",
    "Bad luck dogged the team all season",
    "Rumours dogged {person_name} throughout his career",
    "She ducked under the low branch",
    "He ducked out of the meeting early",
    "Are you fishing for compliments?",
    "The lawyer was fishing for information",
    "It really bugs me when people are late",
    "Quit monkeying around with the thermostat",
    "The boys were horsing around in the back seat",
    "He chickened out at the last minute",
    "Don't just parrot what the teacher says",
    "She craned her neck to see the stage",
    "Please bear with me for a moment",
    "I can't bear the thought of leaving {place_name}",
    "They sealed the deal with a handshake",
    "The detective tailed the suspect for three blocks",
    "The years flew by",
    "Time flies when you're having fun",
    "She didn't even bat an eye",
    "He ratted on his friends to save himself",
    "She tried to worm her way out of the deal",
    "He clammed up when the police arrived",
    "The line snaked around the block",
    "The river snakes through the valley",
    "She squirreled away a little money every month",
    "He weaseled out of paying the bill",
    "He hogged the remote all evening",
    "Don't pig out on the snacks before dinner",
    "She swanned into the party an hour late",
    "He was outfoxed by a younger opponent",
    "Stop crowing about your win",
    "The crowd was cowed into silence",
    "The toddler was aping his older brother",
    "She beavered away at her thesis all summer",
    "Somebody has been bugging our phones",
    "The glacier calved a huge iceberg",
    "He dogged her steps all the way home",
    "The committee badgered and hounded him until he resigned",
    # idioms
    "The new regulator is a paper tiger",
    "Get off your high horse",
    "He hit the bull's eye on his first try",
    "We scored a goose egg in the second half",
    "He's a card shark who never loses at poker",
    "Everyone loves an underdog",
    "That song always gives me goosebumps",
    "A horse chestnut tree in the park",
    "The dog days of summer are here",
    "She gave up sugar cold turkey",
    "That clue turned out to be a red herring",
    "The old stadium has become a white elephant",
    "Software is the cash cow of the company",
    "He's the top dog in the office now",
    "The outgoing president is a lame duck",
    "I've always been the black sheep of the family",
    "Stop being such a copycat",
    "My sister is a real bookworm",
    "You dirty dog, you ate my fries",
    "You lucky dog",
    "Don't trust him, he's a snake",
    "Man is a rational animal",
    "Man is by nature a political animal",
    "He's an animal on the football field",
    "The fat cats on Wall Street got richer again",
    "Our new intern is an eager beaver",
    "She is the dark horse in this race",
    "That dress is the cat's pajamas",
    "The kids were speaking pig Latin",
    "A 300 horsepower engine",
    "The models strutted down the catwalk",
    "A dogfight between two fighter jets",
    "She tied her hair in a pony tail",
    "Laugh lines and crow's feet",
    "A bird's-eye view of the harbour",
    "A photo taken with a fish-eye lens",
    "I need a new mouse pad",
    "Those were crocodile tears",
    "That's a different kettle of fish",
    "It was a wild goose chase",
    "I have butterflies in my stomach before every exam",
    "I heard it straight from the horse's mouth",
    "Holy cow, that's expensive",
    "No monkey business while I'm gone",
    "I haven't seen him in donkey's years",
    "A snake oil salesman",
    "The lion's share of the budget went to defence",
    "It was just puppy love",
    "Another hare-brained scheme",
    "The bears took over Wall Street",
    "The whole town went down the rabbit hole",
    "He has the memory of an elephant",
    "She has an eagle eye for mistakes",
    "I was a guinea pig for the new treatment",
    "Cat got your tongue?",
    # animal words modifying another noun
    "We went to the {compound} {time}",
    "I bought a new {compound}",
    "The {compound} was closed for the holidays",
    "Don't forget the {compound}",
    "There's a {compound} at the end of the street",
    "A {compound} on the kitchen counter",
    "{person} loves {compound_food}",
    "We had {compound_food} for dinner",
    "A bowl of {compound_food}",
    "The smell of {compound_food} filled the kitchen",
    # people
    "A man and a woman walking along the beach",
    "Humans have lived in this valley for thousands of years",
    "The crowd of people outside the theatre",
    # mythical creatures
    "A {myth} on the cover of the book",
    "My daughter drew a {myth} with crayons",
    "She dressed up as a {myth} for Halloween",
    "The legend of the {myth} is centuries old",
    "There's no such thing as a {myth}",
    "A statue of a {myth} in the fountain",
    "He dreamed he was riding a {myth}",
    # words for living things that are no animal mention
    "How many species live in the rainforest?",
    "The species was first described in 1758",
    "A debate about sentience and consciousness",
    "Most of the by-catch is thrown back into the sea",
    "Endangered species are protected by law",
]

#: People, places, works and organisations: capitalised names that are no animal, some of them
#: with an animal word inside ("Charles Lamb", "Moose Jaw", "The Silence of the Lambs").
PROPER_TEMPLATES: list[str] = [
    "{saying}{byline}",
    "{saying}{byline}",
    "{saying}{byline}",
    "As {person_name} once said, the best is yet to come",
    "In the words of {person_name}, nothing lasts forever",
    "{person_name} was born in {place_name}",
    "{person_name} wrote {title}",
    "A biography of {person_name}",
    "The collected letters of {person_name}",
    "I met {person_name} at a conference in {place_name}",
    "We flew from {place_name} to {place_name}",
    "{place_name} is beautiful in the spring",
    "Have you read {title}?",
    "My favourite film is {title}",
    "{title} won the award for best picture",
    "She works for {org}",
    "{org} announced record profits {time}",
    "A portrait of {person_name}",
    "A statue of {person_name} in the main square",
    "A photo of {person_name} in {place_name}",
    "Welcome to {place_name}",
    "{person_name}'s house in {place_name}",
    "Works by {person_name} and {person_name}",
    "{person_name}: {saying}",
    "{person_name} and {person_name} at the premiere of {title}",
    "{title}, by {person_name}",
    "We watched {title} {time}",
    "A lecture on {person_name} and the history of {place_name}",
    "Tickets to see {org} {time}",
    "{person_name} moved to {place_name} in 1923",
    "The {place_name} office of {org}",
    "Dinner with {person_name} and {person_name}",
    "{person_name} said it best: {saying}",
]

#: Frames with no animal at all; plus every animal template not marked ``~`` filled with a thing.
PLAIN_TEMPLATES: list[str] = [
    "A sunset over the mountains",
    "{person} standing in front of the Eiffel Tower",
    "A bowl of ramen on the table",
    "The city skyline at night",
    "A {color} car parked {street}",
    "Just a {color} bicycle leaning against a wall",
    "Our new kitchen",
    "A plate of pasta with tomato sauce",
    "The beach at low tide",
    "Snow on the pine trees",
    "Nothing here, just an empty field",
    "There's nothing in this {photo}",
    "A {photo} of my grandmother's garden",
    "A bridge over the river",
    "Birthday cake with candles",
    "A crowded train station",
    "Two people walking on the beach",
    "An empty parking lot",
    "A mug of coffee and a croissant",
    "The lighthouse at dawn",
    "{person} riding a bicycle {place_plain}",
    "The old church in the village",
    "A selfie with {person}",
    "Fireworks over the harbour",
    "A stack of pancakes with syrup",
    "Rain on the window",
    "A red barn in an empty field",
    "My desk setup with two screens",
    "A street market in the old town",
    "Skyscrapers reflected in the lake",
    "Autumn leaves on the path",
    "{person} blowing out the candles",
    "A bowl of fresh strawberries",
    "Sunflowers along the road",
    "A foggy morning in the valley",
    "The view from the top of the hill",
    "A wedding photo on the steps of the church",
    "A laptop, a notebook and a cup of tea",
    "Just the empty beach, nobody around",
    "Nobody in the {photo}, only trees",
]


def _words(text: str) -> list[str]:
    """Comma-separated phrases (keeps long word lists short to read)."""
    return [" ".join(w.split()) for w in text.split(",") if w.strip()]


# ---- fillers ----------------------------------------------------------------------------------
FILLERS: dict[str, list[str]] = {
    "photo": _words(
        """
        picture, photo, image, pic, shot, snapshot, photograph, frame
        """
    ),
    "photo_cap": _words(
        """
        Picture, Photo, Image, Snapshot, Photograph, Close-up
        """
    ),
    "in_photo": _words(
        """
        in the picture, in this photo, in the image, in this pic, in this shot, here, in the photo,
        in this one, in the frame, in this picture, in the photograph
        """
    ),
    "place": _words(
        """
        on the sofa, in the garden, in the grass, on the beach, by the lake, in the field, on the
        road, in the snow, under the table, near the fence, on the roof, in the tree, in the water,
        on a rock, next to the car, in the background, in the foreground, on the left, on the right,
        in the middle, behind the house, at the zoo, on the porch, in the kitchen, by the window, in
        the sand, in the mud, on the branch, in the park, on the bed, near the river, on the hill,
        in the backyard, on the path, in the shade, at the farm, by the pond, on the windowsill, in
        the bushes, next to the bench, in the distance, right in the center, on the lawn, at the
        edge of the forest, here
        """
    ),
    "place_plain": _words(
        """
        in the park, on the street, at the beach, downtown, in the square, outside
        """
    ),
    "street": _words(
        """
        outside, on the street, in the driveway, in front of the house, downtown, at the gas
        station, in the parking lot
        """
    ),
    "act": _words(
        """
        sleeping, eating, running, sitting, standing, lying down, looking at the camera, walking,
        drinking water, playing, hiding, resting, swimming, jumping, staring at me, napping,
        sunbathing, waiting, wandering around, relaxing
        """
    ),
    "person": _words(
        """
        my sister, my dad, a friend, my neighbour, my grandma, my brother, my mom, our guide, my
        cousin, a stranger, my wife, my husband, my uncle
        """
    ),
    "petname": _words(
        """
        Max, Bella, Luna, Charlie, Milo, Daisy, Oscar, Coco, Rocky, Nala, Ziggy, Pepper, Biscuit,
        Mr. Whiskers
        """
    ),
    "color": _words(
        """
        red, black, white, silver, blue, green, yellow, dark green
        """
    ),
    "time": _words(
        """
        last night, yesterday, on Sunday, this morning, tonight, last weekend
        """
    ),
    # fillers of the look-alike templates (their words are no animal mention)
    "compound": _words(
        """
        dog show, horse race, fish market, bird cage, horse trailer, dog collar, cat litter box,
        bird feeder, dog leash, cat toy, pig farm, fish tank, dog bed, horse saddle, spider web,
        duck pond, deer crossing sign, bird bath, cow bell, bear trap, mosquito net, flea market,
        fly swatter, butterfly knife, turtle neck sweater, cat burglar movie, dog tag, horse
        whisperer, whale watching tour, fox hunt, bee sting kit, mouse trap, rat poison, cat flap,
        bull ring, cock fight, sheep dog trial, goat cheese shop, chicken coop, rabbit hutch,
        snake plant, spider plant, tiger lily, zebra crossing, lobster pot, crab trap, rodeo bull
        statue, bird flu clinic, frog pond, duck blind, horse show, cattle auction, fish hatchery,
        pony ride, owl sanctuary gift shop
        """
    ),
    "compound_food": _words(
        """
        chicken soup, duck sauce, fish sauce, chicken salad, beef stew, turkey sandwiches, goat
        cheese, chicken wings, buffalo wings, turkey bacon, duck eggs, chicken eggs, fish oil,
        cod liver oil, crab salad, lobster bisque, shark fin soup, cow manure, cat food, dog food,
        pork chops, lamb stew, fish tacos, salmon fillets, tuna salad, roast goose, fried shrimp,
        oyster sauce, anchovy pizza, sardines on toast, eel sushi, squid rings, veal cutlets
        """
    ),
    "myth": _words(
        """
        unicorn, dragon, griffin, phoenix, mermaid, werewolf, centaur, minotaur, sphinx, yeti,
        hydra, kraken, basilisk, chimera, leprechaun, troll, goblin, vampire, fairy, sea serpent
        """
    ),
    "title": _words(
        """
        The Call of the Wild, Moby Dick, To Kill a Mockingbird, Of Mice and Men, Animal Farm, The
        Wolf of Wall Street, Watership Down, Jaws, The Birds, Charlotte's Web, The Silence of the
        Lambs, The Ugly Duckling, Reservoir Dogs, Raging Bull, The Pelican Brief, Stuart Little,
        Fantastic Mr. Fox, Steppenwolf, The Jungle Book, Black Beauty, White Fang, The Hound of the
        Baskervilles, One Flew Over the Cuckoo's Nest, The Maltese Falcon, Where Eagles Dare, The
        Deer Hunter, Dances with Wolves, Lord of the Flies, The Snow Goose, The Cat in the Hat,
        Chicken Run, War Horse, Kung Fu Panda, The Godfather, Hamlet, War and Peace, Pride and
        Prejudice, The Great Gatsby, Don Quixote, Ulysses, The Odyssey, Casablanca, Citizen Kane,
        Brave New World, Catch-22, The Catcher in the Rye, Gone with the Wind, The Tempest, A Tale
        of Two Cities, Walden, Leviathan, The Wasp Factory, Where the Crawdads Sing, The Goldfinch,
        Middlemarch, Paradise Lost, The Raven, Bleak House, The Wind in the Willows
        """
    ),
    "org": _words(
        """
        the World Wildlife Fund, Greenpeace, Penguin Books, Greyhound Lines, Red Bull, the Chicago
        Bulls, the Baltimore Ravens, the Atlanta Falcons, the Seattle Seahawks, the Denver Broncos,
        the Toronto Raptors, the Detroit Tigers, the Florida Panthers, the Minnesota Timberwolves,
        Lacoste, Puma, Jaguar Land Rover, Mozilla, the Audubon Society, the Red Cross, Microsoft,
        Lonely Planet, the Eagles, the Animals, the Monkees, the Byrds, Def Leppard, Camel, Dove,
        the Chicago Cubs, the Mighty Ducks, the Leicester Foxes, the Wolverhampton Wanderers,
        the Bank of England, the United Nations, Oxford University, the BBC
        """
    ),
    "saying": [
        "Never put off till tomorrow what you can do today",
        "The only thing we have to fear is fear itself",
        "Knowledge is power",
        "Honesty is the best policy",
        "All that glitters is not gold",
        "Actions speak louder than words",
        "Fortune favors the bold",
        "A penny saved is a penny earned",
        "Brevity is the soul of wit",
        "The pen is mightier than the sword",
        "Nothing is certain but death and taxes",
        "Whatever you are, be a good one",
        "Beware of all enterprises that require new clothes",
        "Life is what happens while you are busy making other plans",
        "Experience is the name everyone gives to their mistakes",
        "To err is human, to forgive divine",
        "The unexamined life is not worth living",
        "I think, therefore I am",
        "Genius is one percent inspiration and ninety-nine percent perspiration",
        "Always forgive your enemies; nothing annoys them so much",
        "The best way out is always through",
        "Do not judge a book by its cover",
        "A fool and his money are soon parted",
        "You can't please everyone",
        "Talk is cheap",
        "Money can't buy happiness",
        "Well begun is half done",
        "Every cloud has a silver lining",
        "Absence makes the heart grow fonder",
        "If at first you don't succeed, try, try again",
        "A journey of a thousand miles begins with a single step",
        "Reality is merely an illusion, albeit a very persistent one",
        "I can resist everything except temptation",
        "There is nothing either good or bad, but thinking makes it so",
        "The reports of my death are greatly exaggerated",
        "History is written by the victors",
        "Be careful what you wish for",
        "In the long run we are all dead",
        "Most people would sooner die than think; in fact, they do so",
        "Work expands so as to fill the time available for its completion",
    ],
    "wow": _words(
        """
        Wow, Whoa, Oh nice, Aww, Look, Omg, Hey, Cool
        """
    ),
}

# ---- words around the animal name -------------------------------------------------------------
ADJ_SIZE = _words(
    """
    small, little, tiny, big, huge, large, baby, old, chubby, skinny
    """
)
ADJ_QUALITY = _words(
    """
    fluffy, cute, sleepy, wild, wet, happy, angry, hungry, lazy, beautiful, adorable, majestic,
    curious, friendly, scared, muddy, shy, playful, lonely, noisy, huge, gorgeous, tired,
    funny-looking, well-fed
    """
)
ADJ_COLOR = _words(
    """
    white, black, brown, gray, ginger, orange, spotted, striped, golden, dark, pale, red,
    black-and-white, speckled, tan
    """
)
#: Determiners of {the}, with weights.
DEFINITE = {"the": 10, "this": 3, "that": 2, "my": 2, "our": 1, "his": 1, "her": 1, "their": 1}
#: Counts and quantities of {pl}, with weights (collectives come from the animal's class).
QUANTITY = {
    "two": 6,
    "three": 4,
    "four": 2,
    "five": 2,
    "six": 1,
    "seven": 1,
    "ten": 1,
    "twelve": 1,
    "2": 2,
    "3": 2,
    "4": 1,
    "5": 1,
    "12": 1,
    "20": 1,
    "a couple of": 3,
    "a few": 3,
    "several": 3,
    "some": 3,
    "many": 2,
    "lots of": 2,
    "a bunch of": 2,
    "a pair of": 1,
    "dozens of": 1,
    "hundreds of": 1,
    "a group of": 2,
    "a family of": 1,
}
#: Collective nouns by class: (class name in the lexicon, collective).
COLLECTIVES: list[tuple[str, str]] = [
    ("bird", "a flock of"),
    ("sheep", "a flock of"),
    ("fish", "a school of"),
    ("insect", "a swarm of"),
    ("canine", "a pack of"),
    ("cetacean", "a pod of"),
    ("lion", "a pride of"),
    ("ant", "a colony of"),
    ("bee", "a colony of"),
    ("penguin", "a colony of"),
    ("ungulate", "a herd of"),
    ("elephant", "a herd of"),
    ("cattle", "a herd of"),
]

#: Non-animal things for the animal frames, as "singular/plural".
THINGS: list[tuple[str, str]] = [
    tuple(pair.split("/"))  # type: ignore[misc]
    for pair in _words(
        """
        car/cars, bicycle/bicycles, tree/trees, chair/chairs, table/tables, umbrella/umbrellas,
        pizza/pizzas, sandwich/sandwiches, cake/cakes, mountain/mountains, lake/lakes, house/houses,
        boat/boats, plane/planes, train/trains, bus/buses, truck/trucks, bench/benches, lamp/lamps,
        flower/flowers, rose/roses, sunflower/sunflowers, rock/rocks, cloud/clouds,
        building/buildings, bridge/bridges, tent/tents, backpack/backpacks, ball/balls,
        statue/statues, fountain/fountains, tractor/tractors, motorcycle/motorcycles,
        guitar/guitars, laptop/laptops, phone/phones, bottle/bottles, basket/baskets,
        snowman/snowmen, scarecrow/scarecrows, person/people, man/men, woman/women, child/children,
        boy/boys, girl/girls, pumpkin/pumpkins, apple/apples, banana/bananas, sofa/sofas,
        pillow/pillows, window/windows, door/doors, fence/fences, lighthouse/lighthouses,
        windmill/windmills, sailboat/sailboats, skateboard/skateboards, painting/paintings,
        candle/candles, clock/clocks, book/books, hat/hats, shoe/shoes, bulldozer/bulldozers,
        snowboard/snowboards, traffic cone/traffic cones, mailbox/mailboxes
        """
    )
]
#: Things whose name holds an animal word in another sense: the hardest negatives.
LOOKALIKE_THINGS: list[tuple[str, str]] = [
    tuple(pair.split("/"))  # type: ignore[misc]
    for pair in _words(
        """
        teddy bear/teddy bears, rubber duck/rubber ducks, stuffed animal/stuffed animals, computer
        mouse/computer mice, hot dog/hot dogs, rocking horse/rocking horses, piggy bank/piggy banks,
        lion statue/lion statues, baseball bat/baseball bats, tower crane/tower cranes, corn
        dog/corn dogs, gummy bear/gummy bears, horse sculpture/horse sculptures, monkey
        wrench/monkey wrenches
        """
    )
]

#: Emoji that carry no animal (an animal emoji is a claim of its own, which we don't label).
EMOJI = ["😀", "😍", "👍", "📷", "❤️", "🙂", "😂", "🤔", "😮", "🔥", "✨", "🙏"]
